/** Operations: queue and dead-letter depths, delivery, alarms; redrive, pause/resume and replay, each confirmed first. */
import { useState } from 'preact/hooks';
import type { ActionResult, Operations } from '../api-types.ts';
import { getJson, postJson } from '../client.ts';
import { ConfirmButton, ErrorNote, num, Status, Table, usePolling, utc } from '../components.tsx';

export function OperationsPage() {
  const { value: ops, error, reload } = usePolling(() => getJson<Operations>('/api/operations'), 3000);
  const [replayKey, setReplayKey] = useState('');
  const [replayAs, setReplayAs] = useState('');
  const dlq = ops?.queues.reduce((n, q) => n + q.deadLetterDepth.visible, 0) ?? 0;
  return (
    <section aria-labelledby="ops-title">
      <h1 id="ops-title">Operations</h1>
      <ErrorNote error={error} />
      {!ops ? (
        <p aria-busy="true">loading…</p>
      ) : (
        <>
          <h2>Queues</h2>
          <Table caption="queue depths" head={['queue', 'visible', 'in flight', 'delayed']}>
            {ops.queues.flatMap((q) => [
              <tr key={q.name}>
                <th scope="row">{q.name}</th>
                <td class="num">{num(q.depth.visible)}</td>
                <td class="num">{num(q.depth.inFlight)}</td>
                <td class="num">{num(q.depth.delayed)}</td>
              </tr>,
              <tr key={q.deadLetterName} class={q.deadLetterDepth.visible > 0 ? 'alert-row' : ''}>
                <th scope="row">{q.deadLetterName}</th>
                <td class="num" data-testid={`dlq-${q.role}`}>
                  {num(q.deadLetterDepth.visible)}
                </td>
                <td class="num">{num(q.deadLetterDepth.inFlight)}</td>
                <td class="num">{num(q.deadLetterDepth.delayed)}</td>
              </tr>,
            ])}
          </Table>
          <ConfirmButton
            label="Redrive dead letters"
            question={`Move ${num(dlq)} message(s) from the dead-letter queues back to their queues, so the processor tries them again? Fix the cause first, or they return after 3 more deliveries.`}
            confirmLabel="Redrive"
            action={() => postJson<ActionResult>('/api/redrive')}
            onDone={reload}
          />
          <h2>Delivery</h2>
          <p data-testid="delivery">
            Delivery is <strong>{ops.delivery.enabled ? 'running' : 'PAUSED'}</strong> <span class="muted">— {ops.delivery.detail}</span>
          </p>
          {/* One button that turns into the other, so what the last one did stays shown. */}
          <ConfirmButton
            label={ops.delivery.enabled ? 'Pause delivery' : 'Resume delivery'}
            question={
              ops.delivery.enabled
                ? 'Stop delivering queued files to the processor? Uploads keep queuing until you resume.'
                : 'Restart delivery? What queued meanwhile is processed.'
            }
            confirmLabel={ops.delivery.enabled ? 'Pause' : 'Resume'}
            action={() => postJson<ActionResult>(ops.delivery.enabled ? '/api/pause' : '/api/resume')}
            onDone={reload}
          />
          <h2>Replay a file</h2>
          <form class="filters" onSubmit={(e) => e.preventDefault()}>
            <div class="field">
              <label for="replay-key">key under archive/ or failed-data/</label>
              <input id="replay-key" type="text" value={replayKey} onInput={(e) => setReplayKey((e.target as HTMLInputElement).value)} size={50} />
            </div>
            <div class="field">
              <label for="replay-as">as (optional name under raw-data/)</label>
              <input id="replay-as" type="text" value={replayAs} onInput={(e) => setReplayAs((e.target as HTMLInputElement).value)} />
            </div>
          </form>
          <ConfirmButton
            label="Replay"
            question={`Copy ${replayKey || '(no key given)'} back into raw-data/${replayAs ? ` as ${replayAs}` : ''} so the pipeline processes it again?`}
            confirmLabel="Replay"
            disabled={!replayKey}
            action={() => postJson<ActionResult>('/api/replay', { key: replayKey, ...(replayAs ? { as: replayAs } : {}) })}
          />
          <h2>Alarms</h2>
          {ops.alarms.length === 0 ? (
            <p class="muted">no alarms</p>
          ) : (
            <Table caption="alarms" head={['alarm', 'state', 'since (UTC)']}>
              {ops.alarms.map((a) => (
                <tr key={a.name}>
                  <td class="key">{a.name}</td>
                  <td>
                    <Status word={a.state} />
                  </td>
                  <td class="nowrap">{utc(a.since)}</td>
                </tr>
              ))}
            </Table>
          )}
          {ops.notes.map((n) => (
            <p class="muted" key={n}>
              ({n})
            </p>
          ))}
        </>
      )}
    </section>
  );
}
