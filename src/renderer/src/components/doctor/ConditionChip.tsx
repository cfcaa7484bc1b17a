// A condition's title as a chip (docs/session-doctor.md). The colour is decoration; the words carry it.

import type { ConditionCode } from '../../../../shared/contract'
import { conditionTone } from '../../lib/conditions'

export function ConditionChip({ code, title }: { code: ConditionCode; title: string }) {
  return (
    <span className={`badge tone-${conditionTone(code)}`} data-condition={code}>
      <span className="badge-dot" aria-hidden="true" />
      {title}
    </span>
  )
}
