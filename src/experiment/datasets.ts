/**
 * Loading the dataset an experiment names: a 2-D toy generated from the experiment seed, a
 * prepared image dataset (MNIST, Fashion-MNIST) through a reader (fetch in a page or Worker, the
 * file system in Node), optionally cut to subsets, or a dataset the user uploaded.
 */
import { loadIdxDataset, type ReadFile } from '../data/load';
import { generateToy, type ToyName } from '../data/toys';
import { subset, type Dataset } from '../data/types';

export type DatasetSource =
  | { kind: 'toy'; name: ToyName; count: number; noise: number; testFraction: number }
  | { kind: 'image'; name: string; trainSubset?: number; testSubset?: number }
  | { kind: 'upload'; id: string; format: 'csv' | 'idx' };

export interface DatasetEnvironment {
  /** Reads prepared files (public/data) for image datasets. */
  read?: ReadFile;
  /** Datasets the user uploaded, by id. */
  uploads?: ReadonlyMap<string, Dataset>;
}

/** The Dataset of `source`; toys are drawn from `seed`. Errors name the field ("dataset.trainSubset …"). */
export async function loadExperimentDataset(source: DatasetSource, seed: number, env: DatasetEnvironment): Promise<Dataset> {
  switch (source.kind) {
    case 'toy':
      return generateToy(source.name, { count: source.count, noise: source.noise, seed, testFraction: source.testFraction });
    case 'image': {
      if (!env.read) throw new Error(`dataset.name: image dataset "${source.name}" needs a data reader here`);
      const full = await loadIdxDataset(source.name, env.read);
      const cut = (split: Dataset['train'], count: number | undefined, field: string) => {
        if (count === undefined) return split;
        if (count > split.count) throw new Error(`dataset.${field}: ${count} is more than the ${split.count} rows of ${source.name}`);
        return subset(split, count);
      };
      return { ...full, train: cut(full.train, source.trainSubset, 'trainSubset'), test: cut(full.test, source.testSubset, 'testSubset') };
    }
    case 'upload': {
      const dataset = env.uploads?.get(source.id);
      if (!dataset) throw new Error(`dataset.id: no uploaded dataset "${source.id}" (upload the file again)`);
      return dataset;
    }
  }
}
