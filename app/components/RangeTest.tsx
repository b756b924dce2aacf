// The LR range test (Smith 2017; fastai's lr_find) for every run of the experiment at once: one
// button, a plot of each run's smoothed loss against the rate (log x) with fastai's suggestions
// (each defined in its tooltip), and "use this rate" that sets a chosen suggestion as the base rate
// of the runs ticked (a run edit: it applies from the next step, without a reset).
import { useState } from 'react';
import * as Comlink from 'comlink';
import { RANGE_TEST_DEFAULTS, SUGGESTION_HELP, type RangeTestOptions, type SuggestionKind } from '../../src/experiment/range-test';
import type { RangeTestResult } from '../../src/experiment/range-test-run';
import { act, editField } from '../actions';
import { useLab } from '../store';
import { extent, makeScale, pathOf, PLOT, PlotFrame, tickText } from './plot-frame';

const KINDS = Object.keys(SUGGESTION_HELP) as SuggestionKind[];
const MARKS: Record<SuggestionKind, string> = { minimum: '▼', steep: '◆', valley: '●' };

/** Each run's smoothed loss against the rate, with its suggestions marked. */
function RangePlot({ result }: { result: RangeTestResult }) {
  const { left, right, top, bottom, width, height } = PLOT;
  const [xMin, xMax] = extent(result.curves.flatMap((curve) => curve.rates));
  const losses = result.curves.flatMap((curve) => curve.smoothed.slice(0, -1));
  const [yMin, yMax] = extent(losses);
  if (!Number.isFinite(xMin) || !Number.isFinite(yMin)) return null;
  const x = makeScale(xMin, xMax, left, width - right, true);
  const y = makeScale(yMin, Math.min(yMax, 4 * Math.max(yMin, 1e-9)), height - bottom, top, false);
  const clamp = (value: number) => Math.max(top, Math.min(height - bottom, value));
  return (
    <PlotFrame x={x} y={y} xLabel="learning rate (log)" yLabel="smoothed train loss" testId="range-plot" title="LR range test: smoothed loss against the learning rate, per run">
      {result.curves.map((curve) => (
        <g key={curve.method} data-testid={`range-curve-${curve.method}`}>
          <path d={pathOf(curve.rates.map((rate, i) => [x(rate), clamp(y(curve.smoothed[i]))]))} fill="none" stroke={curve.color} strokeWidth={1.6} />
          {KINDS.map((kind) => {
            const suggestion = curve.suggestions[kind];
            if (!suggestion) return null;
            return (
              <text key={kind} x={x(suggestion.at[0])} y={clamp(y(suggestion.at[1])) + 4} textAnchor="middle" fontSize="11" fill={curve.color}>
                {MARKS[kind]}
                <title>{`${curve.label}, ${SUGGESTION_HELP[kind]} Suggests ${tickText(suggestion.lr)}.`}</title>
              </text>
            );
          })}
        </g>
      ))}
    </PlotFrame>
  );
}

/** The range-test panel: options, Run, the plot, the suggestions per run and "use this rate". */
export function RangeTest() {
  const config = useLab((state) => state.config);
  const [options, setOptions] = useState<RangeTestOptions>({ ...RANGE_TEST_DEFAULTS, startLr: 1e-5 });
  const [result, setResult] = useState<RangeTestResult | null>(null);
  const [progress, setProgress] = useState<string>('');
  const [kind, setKind] = useState<SuggestionKind>('valley');
  const [chosen, setChosen] = useState<Record<number, boolean>>({});
  if (!config) return null;
  const run = async () => {
    setProgress('starting…');
    const tested = await act((remote) => remote.rangeTest(options, Comlink.proxy((step: number, total: number) => setProgress(`step ${step} of ${total}`))));
    setProgress('');
    if (tested) {
      setResult(tested);
      setChosen(Object.fromEntries(tested.curves.map((curve) => [curve.method, true])));
    }
  };
  const use = async () => {
    if (!result) return;
    for (const curve of result.curves) {
      const lr = curve.suggestions[kind]?.lr;
      if (!chosen[curve.method] || lr === undefined) continue;
      const field = config.runs[curve.method]?.schedule.kind === 'onecycle' ? 'maxLr' : 'lr';
      await editField(`runs.${curve.method}.schedule.${field}`, Number(lr.toPrecision(3)));
    }
  };
  const number = (key: keyof RangeTestOptions, label: string, integer = false) => (
    <label>
      {label}{' '}
      <input type="number" step="any" min={integer ? 6 : 0} value={options[key]} onChange={(event) => setOptions({ ...options, [key]: integer ? Math.round(Number(event.target.value)) : Number(event.target.value) })} data-testid={`range-${key}`} />
    </label>
  );
  return (
    <section className="panel range-test" aria-labelledby="range-title">
      <h2 id="range-title">LR range test</h2>
      <p className="muted">
        A short run per method whose rate grows exponentially from start to end, stopped once the smoothed loss exceeds {options.stopFactor}× its minimum
        (Smith 2017; fastai&apos;s lr_find). All runs take it at once; AutoDrop is off meanwhile, exp-LR runs take it as the SGD + weight decay they reproduce.
      </p>
      <div className="chart-settings">
        {number('startLr', 'start')}
        {number('endLr', 'end')}
        {number('steps', 'steps', true)}
        <button type="button" className="primary" onClick={() => void run()} disabled={progress !== ''} data-testid="range-test">
          Run range test
        </button>
        <span role="status" data-testid="range-progress">{progress}</span>
      </div>
      {result && (
        <>
          <RangePlot result={result} />
          <div className="table-scroll">
            <table data-testid="range-table">
              <thead>
                <tr>
                  <th scope="col">Use</th>
                  <th scope="col">Run</th>
                  {KINDS.map((k) => (
                    <th key={k} scope="col" title={SUGGESTION_HELP[k]}>
                      {MARKS[k]} {k === 'minimum' ? 'minimum/10' : k}
                    </th>
                  ))}
                  <th scope="col">Stopped</th>
                </tr>
              </thead>
              <tbody>
                {result.curves.map((curve) => (
                  <tr key={curve.method} data-testid={`range-row-${curve.method}`}>
                    <td>
                      <input type="checkbox" checked={chosen[curve.method] ?? false} onChange={(event) => setChosen({ ...chosen, [curve.method]: event.target.checked })} aria-label={`use the suggestion for ${curve.label}`} />
                    </td>
                    <th scope="row">{curve.label}</th>
                    {KINDS.map((k) => (
                      <td key={k} title={SUGGESTION_HELP[k]} data-testid={`suggest-${k}-${curve.method}`} data-rate={curve.suggestions[k]?.lr}>
                        {curve.suggestions[k] ? tickText(curve.suggestions[k].lr) : '–'}
                      </td>
                    ))}
                    <td>{curve.stoppedAt === null ? 'no' : `step ${curve.stoppedAt}`}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="chart-settings">
            <label>
              suggestion{' '}
              <select value={kind} onChange={(event) => setKind(event.target.value as SuggestionKind)} data-testid="range-kind" title={SUGGESTION_HELP[kind]}>
                {KINDS.map((k) => (
                  <option key={k} value={k} title={SUGGESTION_HELP[k]}>
                    {k === 'minimum' ? 'minimum/10' : k}
                  </option>
                ))}
              </select>
            </label>
            <button type="button" onClick={() => void use()} data-testid="use-rate" title="Set the chosen suggestion as the base rate of the ticked runs (from the next step, without a reset)">
              Use this rate
            </button>
          </div>
          {config.sweep?.axes.some((axis) => axis.field === 'lr') && <p className="muted">This experiment sweeps lr: the sweep&apos;s values override the runs&apos; own rates.</p>}
        </>
      )}
    </section>
  );
}
