/**
 * The GOV.UK error summary: "There is a problem", then each problem as a link to its field (by id), or
 * one message when the problem is not any one field's.
 */
export function ErrorSummary({ problems }: { problems: [field: string, message: string][] | string }) {
  return (
    <div className="govuk-error-summary" data-module="govuk-error-summary">
      <div role="alert">
        <h2 className="govuk-error-summary__title">There is a problem</h2>
        <div className="govuk-error-summary__body">
          {typeof problems === 'string' ? (
            <p className="govuk-body">{problems}</p>
          ) : (
            <ul className="govuk-list govuk-error-summary__list">
              {problems.map(([field, message]) => (
                <li key={field}>
                  <a href={`#${field}`}>{message}</a>
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>
    </div>
  );
}
