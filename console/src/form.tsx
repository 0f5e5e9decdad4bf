import { zodResolver } from '@hookform/resolvers/zod';
import type { ReactNode } from 'react';
import { useForm, type DefaultValues, type FieldErrors, type FieldValues } from 'react-hook-form';
import type { z } from 'zod';

/**
 * A form whose values a zod schema checks when it is submitted (react-hook-form), all problems at once,
 * for the GOV.UK error summary; fields are checked again each time it is submitted, not while typing.
 */
export function useGovForm<T extends FieldValues>(schema: z.ZodType<T, T>, defaultValues: DefaultValues<T>) {
  return useForm<T>({
    resolver: zodResolver(schema),
    defaultValues,
    mode: 'onSubmit',
    reValidateMode: 'onSubmit',
    shouldFocusError: false,
  });
}

/** A form's problems for the GOV.UK error summary, in the order its fields are on the page (each links to its field by id). */
export function problemsOf<T extends FieldValues>(
  errors: FieldErrors<T>,
  fields: readonly (readonly [name: keyof T & string, id: string])[],
): [id: string, message: string][] {
  return fields.flatMap(([name, id]) => {
    const message = errors[name]?.message;
    return typeof message === 'string' ? [[id, message] as [string, string]] : [];
  });
}

/** A GOV.UK form group: label, hint and error message around one input, which it names by id. */
export function Field({
  id,
  label,
  hint,
  error,
  children,
}: {
  id: string;
  label: ReactNode;
  hint?: ReactNode;
  error?: string | undefined;
  children: ReactNode;
}) {
  return (
    <div className={`govuk-form-group${error ? ' govuk-form-group--error' : ''}`}>
      <label className="govuk-label govuk-label--s" htmlFor={id}>
        {label}
      </label>
      {hint && (
        <div className="govuk-hint" id={`${id}-hint`}>
          {hint}
        </div>
      )}
      {error && (
        <p className="govuk-error-message" id={`${id}-error`}>
          <span className="govuk-visually-hidden">Error:</span> {error}
        </p>
      )}
      {children}
    </div>
  );
}

/** What an input inside a {@link Field} is described by: its hint and its error, when there are. */
export function describedBy(id: string, hint: boolean, error: string | undefined): string | undefined {
  const ids = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean);
  return ids.length > 0 ? ids.join(' ') : undefined;
}
