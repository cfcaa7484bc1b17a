// Input checking shared by the simulator's admin API and its in-process methods: a zod schema parsed
// into a value, or an `invalid-input` AppError whose message names each bad field.

import type { z } from 'zod'
import { AppError } from '../shared/errors.js'

export function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value)
  if (!result.success) {
    const message = result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')
    throw new AppError('invalid-input', message)
  }
  return result.data
}
