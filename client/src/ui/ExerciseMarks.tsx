// EXERCISE marking and the area's name in titles (client/src/ui, issue 17): both come from the server's
// snapshot (`exercise`, `area`), never from the page: a real operation on another map must not read
// "Gothenburg exercise" between EXERCISE bars.
import type { MessageKey } from '@corridor/protocol/i18n';
import { useWords } from '../i18n/use-words.js';
import { usePicture } from '../state/hooks.js';

/** Whether the picture is the built-in exercise's (false until the first snapshot says so). */
export function useExercise(): boolean {
  return usePicture((s) => s.exercise);
}

/**
 * A page's title with the area of operations' name: "Joint operations picture — Port-au-Prince", or the
 * page's name alone while the server names no area.
 */
export function useAreaTitle(page: MessageKey): string {
  const w = useWords();
  const area = usePicture((s) => s.area);
  // The name isolated: a Latin name keeps its place in an Arabic title, and an Arabic one in a Latin title.
  return area ? w.t('wall.title', { page: w.t(page), area: w.isolate(area) }) : w.t(page);
}

/** The EXERCISE mark of a header's end, or nothing outside the exercise. */
export function ExerciseMark({ hidden = false }: { hidden?: boolean }) {
  const w = useWords();
  if (!useExercise()) return null;
  return hidden ? (
    <div className="exercise-mark" aria-hidden="true">
      {w.t('exercise.mark')}
    </div>
  ) : (
    <div className="exercise-mark" aria-label={w.t('exercise.label')}>
      {w.t('exercise.mark')}
    </div>
  );
}

/** The EXERCISE band at a page's foot, or nothing outside the exercise. */
export function ExerciseFooter() {
  const w = useWords();
  if (!useExercise()) return null;
  return (
    <footer className="exercise-footer" data-testid="exercise-footer">
      {w.t('exercise.footer')}
    </footer>
  );
}
