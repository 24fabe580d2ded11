import type { KernelConfig } from '@tensorflow/tfjs-core';

export const webglSoftmaxCrossEntropyKernels: KernelConfig[] = [];
