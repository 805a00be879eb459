// A convoy's open re-route proposal in the side panel (client/src/ui, P22): why and from where, each
// route with its figures and what it costs or saves, and for a user who runs convoys the button that
// takes it. Holding the convoy instead is the state route's (SPEC P20).
import { useState } from 'react';
import type { ErrorMessage, RerouteProposal } from '@corridor/protocol';
import { useWords } from '../i18n/use-words.js';
import { errorText } from './error-text.js';
import { mayDo, sendCommand, useMe } from '../net/session.js';
import { usePicture } from '../state/hooks.js';
import { proposalLines } from './track-text.js';

export function ProposalBlock({ proposal, convoyName }: { proposal: RerouteProposal; convoyName: string }) {
  const w = useWords();
  const threats = usePicture((s) => s.picture.threats);
  const constraints = usePicture((s) => s.picture.constraints);
  const havens = usePicture((s) => s.picture.havens);
  const me = useMe();
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState<string | null>(null);
  const lines = proposalLines(proposal, { threats, constraints, havens }, w);
  const take = (route: number) => {
    setBusy(true);
    setFailed(null);
    sendCommand({ type: 'convoy.reroute', convoyId: proposal.convoyId, proposalId: proposal.id, route })
      .catch((e: ErrorMessage) => setFailed(errorText(e, w)))
      .finally(() => setBusy(false));
  };
  return (
    <div className="proposal" data-testid={`proposal-${proposal.convoyId}`}>
      <div className="proposal-title">{w.t('reroute.title')}</div>
      {lines.cause && <div className="meta">{lines.cause}</div>}
      <div className="meta">{lines.from}</div>
      {lines.none && <div className="bad">{lines.none}</div>}
      <ol>
        {lines.routes.map((r, i) => (
          <li key={i} data-testid={`proposal-route-${proposal.convoyId}-${i}`}>
            <div className="row">
              <b>{r.label}</b>
              {mayDo(me, 'convoys') && (
                <button type="button" className="take" disabled={busy} onClick={() => take(i)} aria-label={w.t('reroute.acceptLabel', { n: w.fmt.number(i + 1), convoy: w.isolate(convoyName) })}>
                  {w.t('reroute.accept')}
                </button>
              )}
            </div>
            <div className="meta">{r.figures}</div>
            <div className="meta">{r.safety}</div>
          </li>
        ))}
      </ol>
      {failed && (
        <div className="error" role="alert">
          {w.t('reroute.failed', { message: failed })}
        </div>
      )}
    </div>
  );
}
