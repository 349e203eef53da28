import type { Incident, IncidentStatus } from '@fragmentkit/core';
import { type ReactNode, useState } from 'react';

/**
 * Props of {@link IncidentList}.
 *
 * @example
 * ```tsx
 * const props: IncidentListProps = { incidents, onFix: (incident) => fix(incident) };
 * ```
 */
export interface IncidentListProps {
  incidents: readonly Incident[];
  /** Adds the incident to the attached context. Without it, no "Attach" button. */
  onAttach?: (incident: Incident) => void | Promise<void>;
  /** Asks the model to fix the incident. Without it, no "Fix" button. */
  onFix?: (incident: Incident) => void | Promise<void>;
  /** Resolves, ignores or reopens. Without it, no status buttons. */
  onStatusChange?: (incident: Incident, status: IncidentStatus) => void | Promise<void>;
  /** Shown when there is no incident. Default "No incidents yet." */
  empty?: ReactNode;
  /** Accessible name of the list. Default "Incidents". */
  label?: string;
  className?: string;
}

const statusActions: Record<IncidentStatus, { status: IncidentStatus; label: string }[]> = {
  open: [
    { status: 'resolved', label: 'Resolve' },
    { status: 'ignored', label: 'Ignore' },
  ],
  resolved: [{ status: 'open', label: 'Reopen' }],
  ignored: [{ status: 'open', label: 'Reopen' }],
};

/**
 * A headless list of incidents with "Attach", "Fix" and status actions. Every action is a
 * native button whose accessible name says which incident it acts on ("Fix TypeError: x is
 * undefined"), so it works from the keyboard and reads well in a screen reader. While an
 * action runs its button is disabled; a failed action shows its message next to the incident
 * (`role="alert"`). Style it through the `data-*` attributes and class names (`fk-incident*`).
 *
 * @example
 * ```tsx
 * import { IncidentList, useIncidents } from '@fragmentkit/react';
 *
 * function Incidents() {
 *   const { incidents, setStatus } = useIncidents({ repo: 'acme/shop' });
 *   return <IncidentList incidents={incidents} onStatusChange={(incident, status) => setStatus(incident.id, status)} />;
 * }
 * ```
 */
export function IncidentList({
  incidents,
  onAttach,
  onFix,
  onStatusChange,
  empty = 'No incidents yet.',
  label = 'Incidents',
  className,
}: IncidentListProps) {
  const [pending, setPending] = useState<string | null>(null);
  const [failures, setFailures] = useState<Record<string, string>>({});
  const open = incidents.filter((incident) => incident.status === 'open').length;

  async function run(incident: Incident, action: string, work: () => void | Promise<void>) {
    setPending(`${incident.id}:${action}`);
    setFailures(({ [incident.id]: _previous, ...rest }) => rest);
    try {
      await work();
    } catch (error) {
      setFailures((current) => ({
        ...current,
        [incident.id]: error instanceof Error ? error.message : String(error),
      }));
    } finally {
      setPending(null);
    }
  }

  return (
    <section className={['fk-incidents', className].filter(Boolean).join(' ')} aria-label={label}>
      <p className="fk-incidents-summary" aria-live="polite">
        {incidents.length === 0 ? empty : `${open} open of ${incidents.length}`}
      </p>
      {incidents.length > 0 ? (
        <ul className="fk-incident-list">
          {incidents.map((incident) => {
            const title = `${incident.type}: ${incident.message}`;
            const button = (action: string, text: string, work: () => void | Promise<void>) => (
              <button
                key={action}
                type="button"
                aria-label={`${text} ${title}`}
                disabled={pending === `${incident.id}:${action}`}
                onClick={() => void run(incident, action, work)}
              >
                {text}
              </button>
            );
            return (
              <li
                key={incident.id}
                className="fk-incident"
                data-status={incident.status}
                data-level={incident.level}
                data-incident-id={incident.id}
              >
                <strong className="fk-incident-title">{title}</strong>
                <span className="fk-incident-meta">
                  {incident.count === 1 ? '1 event' : `${incident.count} events`} · last seen{' '}
                  <time dateTime={incident.lastSeen}>{new Date(incident.lastSeen).toLocaleString()}</time> ·{' '}
                  {incident.status}
                  {incident.commitSha ? ` · commit ${incident.commitSha.slice(0, 7)}` : ''}
                </span>
                <span className="fk-incident-actions">
                  {onAttach ? button('attach', 'Attach', () => onAttach(incident)) : null}
                  {onFix ? button('fix', 'Fix', () => onFix(incident)) : null}
                  {onStatusChange
                    ? statusActions[incident.status].map((action) =>
                        button(action.status, action.label, () => onStatusChange(incident, action.status)),
                      )
                    : null}
                </span>
                {failures[incident.id] ? (
                  <span role="alert" className="fk-incident-error">
                    {failures[incident.id]}
                  </span>
                ) : null}
              </li>
            );
          })}
        </ul>
      ) : null}
    </section>
  );
}
