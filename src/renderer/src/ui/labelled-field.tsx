import type { InputHTMLAttributes } from 'react'

type LabelledFieldProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange'> & {
  /** The visible label, which is also the input's accessible name (e2e tests find fields by it). */
  label: string
  value: string
  onValueChange(value: string): void
  labelClassName?: string
}

/**
 * A text input wrapped in its label, the shape every form here uses; the wrapping keeps the
 * accessible name without an id pair to keep in sync.
 */
export function LabelledField({ label, value, onValueChange, labelClassName, ...input }: LabelledFieldProps) {
  return (
    <label className={labelClassName}>
      {label}
      <input {...input} value={value} onChange={(e) => onValueChange(e.target.value)} />
    </label>
  )
}
