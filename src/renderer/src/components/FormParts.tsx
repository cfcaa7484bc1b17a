// Pieces the dialog forms share (export, import): a radio choice whose options explain themselves,
// and the footer that says what is wrong or in progress above Cancel and the submit button.

import type { ReactNode } from 'react'
import { errorMessage } from '../api/api-error'

export interface ChoiceOption<V extends string> {
  value: V
  title: ReactNode
  /** A line saying what the option does. */
  detail: ReactNode
  describedBy?: string
  /** Marks the input for the Dialog's initial focus (data-autofocus). */
  autoFocus?: boolean
}

/** A radio choice (`fieldset.choice`): each option a bold title and a line saying what it does. */
export function Choice<V extends string>({
  legend,
  name,
  value,
  onChange,
  disabled,
  options,
}: {
  legend: string
  name: string
  value: V
  onChange: (value: V) => void
  disabled: boolean
  options: ReadonlyArray<ChoiceOption<V>>
}) {
  return (
    <fieldset className="choice" disabled={disabled}>
      <legend>{legend}</legend>
      {options.map((option) => (
        <label key={option.value} className="choice-option">
          <input
            type="radio"
            name={name}
            value={option.value}
            checked={value === option.value}
            onChange={() => onChange(option.value)}
            aria-describedby={option.describedBy}
            {...(option.autoFocus ? { 'data-autofocus': true } : {})}
          />
          <span>
            <strong>{option.title}</strong>
            <span className="choice-detail">{option.detail}</span>
          </span>
        </label>
      ))}
    </fieldset>
  )
}

/**
 * The end of a dialog form: what the form itself refused (`problem`, with the id its fields point at
 * through aria-errormessage), else what the core refused (`error`); a progress line while `pending`;
 * then Cancel and the submit button.
 */
export function FormFooter({
  problem,
  problemId,
  error,
  pending,
  progress,
  submitLabel,
  submitDisabled = pending,
  onCancel,
}: {
  problem: { text: string } | null
  problemId: string
  error: unknown
  pending: boolean
  progress: ReactNode
  submitLabel: ReactNode
  submitDisabled?: boolean
  onCancel: () => void
}) {
  return (
    <div className="dialog-footer">
      {problem && (
        <p className="inline-error" role="alert" id={problemId}>
          {problem.text}
        </p>
      )}
      {!problem && error !== null && (
        <p className="inline-error" role="alert">
          {errorMessage(error)}
        </p>
      )}
      {pending && (
        <p className="state state-loading" role="status">
          <span className="spinner" aria-hidden="true" />
          {progress}
        </p>
      )}

      <div className="dialog-actions">
        <button type="button" onClick={onCancel} disabled={pending}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={submitDisabled}>
          {submitLabel}
        </button>
      </div>
    </div>
  )
}
