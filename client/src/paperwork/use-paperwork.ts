// The live parts of the picture the paperwork pages print (client/src/paperwork, issue 18), and the notice's two
// planner actions over HTTP. The pages re-render by themselves when the corridor, the convoy or the notice changes.
import { useEffect } from 'react';
import type { Convoy, Corridor, Notice, ProtocolError } from '@corridor/protocol';
import type { Words } from '../layers/words.js';
import { usePicture } from '../state/hooks.js';
import { errorText } from '../ui/error-text.js';

/** What a paperwork page needs of the picture, and whether the picture has come yet. */
export interface PaperworkState {
  ready: boolean;
  signedOut: boolean;
  convoy: Convoy | undefined;
  corridor: Corridor | undefined;
  notice: Notice | undefined;
}

/** The convoy, its corridor and its notice, live. */
export function usePaperwork(convoyId: string): PaperworkState {
  // The document is paper while the page is mounted: white, scrolling, printed at full length (paperwork.css).
  useEffect(() => {
    document.documentElement.classList.add('paperwork-doc');
    return () => document.documentElement.classList.remove('paperwork-doc');
  }, []);
  const ready = usePicture((s) => s.hasSnapshot);
  const signedOut = usePicture((s) => s.connection === 'signed-out');
  const convoy = usePicture((s) => s.picture.convoys[convoyId]);
  const corridor = usePicture((s) => s.picture.corridors[convoyId]);
  const notice = usePicture((s) => s.picture.notices?.[convoyId]);
  return { ready, signedOut, convoy, corridor, notice };
}

/** A planner's action on a notice, and the refusal in words when the server refuses it. */
export async function noticeAction(convoyId: string, action: 'send' | 'acknowledge', body: Record<string, unknown>, w: Words): Promise<string | null> {
  let res: Response;
  try {
    res = await fetch(`/api/convoys/${encodeURIComponent(convoyId)}/notice/${action}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  } catch {
    return w.t('paperwork.action.unreachable');
  }
  if (res.ok) return null;
  const answer = (await res.json().catch(() => null)) as { error?: Partial<ProtocolError> } | null;
  const error = answer?.error;
  if (!error?.code) return w.t('paperwork.action.refused', { message: w.isolate(`HTTP ${res.status}`) });
  // A version superseded meanwhile: the one on the page is not the one the server holds (refused on `version`).
  if (error.path === 'version' || /stale|superseded/.test(error.code)) return w.t('paperwork.action.stale');
  return w.t('paperwork.action.refused', { message: errorText({ code: error.code as ProtocolError['code'], path: error.path ?? '' }, w) });
}
