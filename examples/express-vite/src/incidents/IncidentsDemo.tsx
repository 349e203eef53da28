import type { Reporter } from '@fragmentkit/core/reporter';
import { IncidentList, useIncidents } from '@fragmentkit/react';
import { useEffect, useState } from 'react';
import { submitCheckout } from './demoCheckout.js';
import checkoutSource from './demoCheckout.ts?raw';
import { demoRepo, setUpDemoReporting } from './demoProject.js';
import './incidentsDemo.css';

/** The project files "Fix" may quote: the demo app's own source. */
const demoFiles = [{ path: 'src/incidents/demoCheckout.ts', code: checkoutSource }];

/**
 * An instrumented page inside the reference app: "Run checkout" throws from real (minified)
 * code, the reporter sends it to this app's `/ingest`, and the incident shows up live below.
 * "Fix" attaches it, with the code around the failing line, and asks the model to fix it.
 */
export function IncidentsDemo({ send }: { send: (input: string) => Promise<unknown> }) {
  const [reporter, setReporter] = useState<Reporter | null>(null);
  const [state, setState] = useState<'idle' | 'starting' | 'failed'>('idle');
  const [problem, setProblem] = useState<string | null>(null);

  // The reporter lives as long as the page shows the demo.
  useEffect(() => () => void reporter?.close(), [reporter]);

  async function start() {
    setState('starting');
    try {
      setReporter(await setUpDemoReporting('/api/fragmentkit'));
    } catch (error) {
      setState('failed');
      setProblem(error instanceof Error ? error.message : String(error));
    }
  }

  return (
    <section className="incidents-demo" aria-label="Incidents demo">
      <h3>Incidents</h3>
      {problem ? <p role="alert">Incident reporting is unavailable: {problem}</p> : null}
      {reporter ? (
        <>
          <button
            type="button"
            onClick={() => {
              // Uncaught on purpose: the reporter's global handler reports it, as in a real app.
              submitCheckout({ total: 40, discounts: {} });
            }}
          >
            Run checkout (throws)
          </button>
          <DemoIncidents send={send} />
        </>
      ) : (
        <button type="button" disabled={state === 'starting'} onClick={() => void start()}>
          Start incident reporting
        </button>
      )}
    </section>
  );
}

function DemoIncidents({ send }: { send: (input: string) => Promise<unknown> }) {
  const { incidents, attach, setStatus } = useIncidents({ repo: demoRepo });
  return (
    <IncidentList
      incidents={incidents}
      empty="No incidents yet: run the checkout."
      onAttach={async (incident) => {
        await attach(incident.id, demoFiles);
      }}
      onFix={async (incident) => {
        await attach(incident.id, demoFiles);
        await send(`Fix this error: ${incident.type}: ${incident.message}`);
      }}
      onStatusChange={async (incident, status) => {
        await setStatus(incident.id, status);
      }}
    />
  );
}
