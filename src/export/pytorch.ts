/**
 * The PyTorch export of an experiment: ONE runnable Python file that trains the same runs as the
 * engine (same initial weights, minibatch order and Philox draws) and writes the same CSV columns.
 * It needs only torch and numpy: the package python/lrlab_torch comes with it, embedded from its
 * source files (Vite's ?raw import, so there is one source), next to the experiment's plan: the
 * validated config, the resolved model and the stacked runs with the CSV cells the engine writes.
 */
import initPy from '../../python/lrlab_torch/__init__.py?raw';
import autodropPy from '../../python/lrlab_torch/autodrop.py?raw';
import cliPy from '../../python/lrlab_torch/cli.py?raw';
import controllersPy from '../../python/lrlab_torch/controllers.py?raw';
import csvoutPy from '../../python/lrlab_torch/csvout.py?raw';
import dataPy from '../../python/lrlab_torch/data.py?raw';
import drawsPy from '../../python/lrlab_torch/draws.py?raw';
import experimentPy from '../../python/lrlab_torch/experiment.py?raw';
import explrPy from '../../python/lrlab_torch/explr.py?raw';
import modelsPy from '../../python/lrlab_torch/models.py?raw';
import modifiersPy from '../../python/lrlab_torch/modifiers.py?raw';
import optimPy from '../../python/lrlab_torch/optim.py?raw';
import philoxPy from '../../python/lrlab_torch/philox.py?raw';
import schedulesPy from '../../python/lrlab_torch/schedules.py?raw';
import type { ExperimentConfig, RunConfig } from '../experiment/config';
import { methodsOf, runParamsJson } from '../experiment/export';
import { buildModelSpec, expandRuns, type DatasetShape } from '../experiment/expand';
import { runnerRun } from '../experiment/expand';
import { resolveModel, type ParamTensor, type ResolvedModel } from '../nn/spec';
import { ConfigError } from '../util/validate';

/** Every module of python/lrlab_torch by its import name (a test checks that none is missing). */
export const PYTHON_MODULES: Readonly<Record<string, string>> = {
  lrlab_torch: initPy,
  'lrlab_torch.autodrop': autodropPy,
  'lrlab_torch.cli': cliPy,
  'lrlab_torch.controllers': controllersPy,
  'lrlab_torch.csvout': csvoutPy,
  'lrlab_torch.data': dataPy,
  'lrlab_torch.draws': drawsPy,
  'lrlab_torch.experiment': experimentPy,
  'lrlab_torch.explr': explrPy,
  'lrlab_torch.models': modelsPy,
  'lrlab_torch.modifiers': modifiersPy,
  'lrlab_torch.optim': optimPy,
  'lrlab_torch.philox': philoxPy,
  'lrlab_torch.schedules': schedulesPy,
};

/** Input shape and classes of the datasets an export can load (toys are 2-D with 2 classes). */
const IMAGE_SHAPES: Record<string, DatasetShape> = {
  mnist: { inputShape: [1, 28, 28], numClasses: 10 },
  'fashion-mnist': { inputShape: [1, 28, 28], numClasses: 10 },
};

/** One layer of the resolved model as the Python side reads it. */
export interface PlanLayer {
  spec: ResolvedModel['layers'][number]['spec'];
  inShape: number[];
  outShape: number[];
  activation: string;
  weight?: number;
  bias?: number;
  gamma?: number;
  beta?: number;
}

/** One stacked run: who it is, its config, and the engine's CSV cells for it. */
export interface PlanRun {
  index: number;
  label: string;
  method: number;
  replicate: number;
  seed: number;
  runKey: number;
  config: RunConfig;
  csv: { optimizer: string; schedule: string; methods: string; params: string };
}

/** What the exported script trains (python/lrlab_torch/experiment.py reads it). */
export interface PytorchPlan {
  format: 'lr-lab-pytorch-plan';
  version: 1;
  config: ExperimentConfig;
  model: { inputShape: number[]; loss: string; outputSize: number; layers: PlanLayer[]; tensors: ParamTensor[] };
  runs: PlanRun[];
}

/** The dataset shape of a config's dataset; an upload cannot be exported (its data is not in the config). */
export function exportDatasetShape(config: ExperimentConfig): DatasetShape {
  const dataset = config.dataset;
  if (dataset.kind === 'toy') return { inputShape: [2], numClasses: 2 };
  if (dataset.kind === 'image') return IMAGE_SHAPES[dataset.name];
  throw new ConfigError(['dataset.kind: an uploaded dataset cannot be exported to PyTorch (its data is not part of the config); use a toy or an image dataset']);
}

/** The plan of a validated config: resolved model for its dataset, stacked runs with their CSV cells. */
export function pytorchPlan(config: ExperimentConfig): PytorchPlan {
  const model = resolveModel(buildModelSpec(config.model, exportDatasetShape(config)));
  const layers = model.layers.map(({ spec, inShape, outShape, activation, weight, bias, gamma, beta }) => ({
    spec, inShape, outShape, activation, weight, bias, gamma, beta,
  }));
  const runs = expandRuns(config).map((expanded): PlanRun => {
    const run = runnerRun(expanded);
    return {
      index: expanded.index,
      label: run.label,
      method: run.method,
      replicate: run.replicate,
      seed: run.seed,
      runKey: run.runKey,
      config: expanded.run,
      csv: { optimizer: run.optimizer.rule, schedule: run.lr.schedule.kind, methods: methodsOf(run), params: runParamsJson(run) },
    };
  });
  return {
    format: 'lr-lab-pytorch-plan',
    version: 1,
    config,
    model: { inputShape: model.spec.inputShape, loss: model.spec.loss, outputSize: model.outputSize, layers, tensors: model.tensors },
    runs,
  };
}

/** A Python string literal of `text` (a JSON string literal is one: same escapes, UTF-8 source). */
const pyString = (text: string) => JSON.stringify(text);

/** The header of a script: what it is and how to run it. */
function header(config: ExperimentConfig, plan: PytorchPlan): string {
  const data = config.dataset.kind === 'image'
    ? `\nIt reads ${config.dataset.name} from the prepared IDX files: public/data of an LR Lab checkout (npm run\nprepare-data), ./data, or --data-dir DIR (the original file names, optionally .gz, work too).\n`
    : `\nIts toy data (${config.dataset.kind === 'toy' ? config.dataset.name : ''}) is generated from the experiment's seed, as the engine generates it.\n`;
  return `#!/usr/bin/env python3
"""LR Lab experiment "${config.name.replace(/["\\]/g, ' ')}" as a PyTorch script (generated by LR Lab; needs torch and numpy).

${plan.runs.length} run(s) of the engine, with its initial weights, minibatch order and LRD / LEAP / RALR
draws (Philox-4x32-10), written to the engine's CSV columns.${data}
    python train.py --out results.csv              # on the CPU, float32
    python train.py --device cuda                   # on a GPU
    python train.py --ddp 2                         # DistributedDataParallel: 2 processes, the batch split
    python train.py --steps 100                     # at most 100 optimizer steps

The package lrlab_torch is embedded below (an installed one is not used).
"""
`;
}

/** The runnable script of a validated config (throws ConfigError for an uploaded dataset). */
export function pytorchScript(config: ExperimentConfig): string {
  const plan = pytorchPlan(config);
  const sources = Object.entries(PYTHON_MODULES)
    .map(([name, source]) => `    ${pyString(name)}: ${pyString(source)},`)
    .join('\n');
  return `${header(config, plan)}import importlib.abc
import importlib.util
import json
import sys

_SOURCES = {
${sources}
}

_PLAN = ${pyString(JSON.stringify(plan))}


class _EmbeddedPackage(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Imports lrlab_torch from _SOURCES (first on sys.meta_path: the embedded copy wins)."""

    def find_spec(self, name, path=None, target=None):
        if name not in _SOURCES:
            return None
        return importlib.util.spec_from_loader(name, self, origin=f'<embedded {name}>', is_package=name == 'lrlab_torch')

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        exec(compile(_SOURCES[module.__name__], module.__spec__.origin, 'exec'), module.__dict__)


if not any(isinstance(finder, _EmbeddedPackage) for finder in sys.meta_path):
    sys.meta_path.insert(0, _EmbeddedPackage())

if __name__ == '__main__':
    from lrlab_torch.cli import main

    sys.exit(main(json.loads(_PLAN)))
`;
}
