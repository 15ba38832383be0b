import cliProgress from 'cli-progress';

/**
 * Progress of a long benchmark on stderr, never stdout (which carries the report or the JSON):
 * a cli-progress bar per phase on a terminal, and one line per finished phase elsewhere (a
 * log, a test), so that a slow or stuck phase can be seen either way.
 */
export interface PhaseProgress {
  /** `amount` more units done. */
  tick(amount: number): void;
  /** The phase is over; `summary` is shown beside it. */
  done(summary: string): void;
}

export function startPhase(name: string, total: number, unit: string): PhaseProgress {
  const started = Date.now();
  if (!process.stderr.isTTY) {
    return {
      tick: () => undefined,
      done: (summary) => void process.stderr.write(`${name}: ${summary} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`),
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${name.padEnd(34)} {bar} {percentage}% {value}/{total} ${unit} {duration_formatted} {summary}`,
      barsize: 24,
      hideCursor: true,
      // Redraw on a timer rather than on every tick: a tick is cheap, a terminal write is not.
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { summary: '' });
  let value = 0;
  return {
    tick(amount) {
      value += amount;
      bar.update(Math.min(value, total));
    },
    done(summary) {
      bar.update(total, { summary });
      bar.stop();
    },
  };
}
