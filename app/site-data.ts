/** Datasets in the Workers: the files under the site's data/ folder (public/data), or the user's uploads. */
import { fetchReader } from '../src/data/load';
import type { Dataset } from '../src/data/types';
import type { ExperimentConfig } from '../src/experiment/config';
import { loadExperimentDataset } from '../src/experiment/datasets';

/** The dataset `config` names, fetched from the site's data/ folder (or taken from `uploads`). */
export function loadSiteDataset(config: ExperimentConfig, uploads?: ReadonlyMap<string, Dataset>): Promise<Dataset> {
  const base = `${self.location.origin}${import.meta.env.BASE_URL}data`;
  return loadExperimentDataset(config.dataset, config.seed, { read: fetchReader(base), uploads });
}
