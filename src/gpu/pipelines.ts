/** A compiled compute kernel: WGSL source, entry point and pipeline-overridable constants. */
export interface KernelSpec {
  /** Human-readable name, used as the pipeline label and in error messages. */
  name: string;
  /** Full WGSL source (helpers already composed in, see composeWgsl). */
  source: string;
  entryPoint?: string;
  /** Values for the shader's `override` declarations. */
  constants?: Record<string, number>;
}

/** Joins WGSL helper sources (rng, indexing, …) and a kernel into one module, each once. */
export function composeWgsl(...parts: string[]): string {
  return [...new Set(parts)].join('\n');
}

/**
 * Pipeline cache keyed by (source, entry point, constants): each distinct kernel variant is
 * compiled once per device, whatever the number of layers or runs that use it.
 */
export class PipelineCache {
  private readonly modules = new Map<string, GPUShaderModule>();
  private readonly pipelines = new Map<string, GPUComputePipeline>();

  constructor(private readonly device: GPUDevice) {}

  /** Number of compiled pipelines (for tests and the benchmark report). */
  get size(): number {
    return this.pipelines.size;
  }

  /** The pipeline for `spec`, compiling it on first use. */
  get(spec: KernelSpec): GPUComputePipeline {
    const entryPoint = spec.entryPoint ?? 'main';
    const constants = spec.constants ?? {};
    const constantKey = Object.keys(constants)
      .sort()
      .map((name) => `${name}=${constants[name]}`)
      .join(',');
    const key = `${entryPoint}|${constantKey}|${spec.source}`;
    let pipeline = this.pipelines.get(key);
    if (!pipeline) {
      let module = this.modules.get(spec.source);
      if (!module) {
        module = this.device.createShaderModule({ label: spec.name, code: spec.source });
        this.modules.set(spec.source, module);
      }
      pipeline = this.device.createComputePipeline({
        label: `${spec.name}[${constantKey}]`,
        layout: 'auto',
        compute: { module, entryPoint, constants },
      });
      this.pipelines.set(key, pipeline);
    }
    return pipeline;
  }
}
