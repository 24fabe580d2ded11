/**
 * tfjs-backend-wasm 4.22 runs a conv2d forward and its input gradient, but
 * has no `Conv2DBackpropFilter` kernel: training any conv2d layer on wasm
 * throws "Kernel 'Conv2DBackpropFilter' not registered". This module
 * registers one for stride 1 (what the examples' convnets use), built from
 * the wasm backend's own `PadV2`, `Transpose` and `Conv2D` kernels.
 *
 * The filter gradient is itself a correlation. For stride 1,
 *   dW[a, b, c, o] = Σ_n Σ_i Σ_j  x̃[n, i + a, j + b, c] · dy[n, i, j, o]
 * (x̃ the input with the forward's zero padding). Read x̃ as a batch of C
 * images [C, H̃, W̃, N] whose channels are the N samples, and dy as a filter
 * [Ho, Wo, N, O]: their conv2d without padding is [C, kh, kw, O], and a
 * transpose gives dW [kh, kw, C, O].
 *
 * Import it for its effect; it does nothing if the kernel already exists.
 */
import * as tf from '@tensorflow/tfjs';

type KernelArgs = Parameters<tf.KernelFunc>[0];
type Backend = KernelArgs['backend'] & { disposeData(dataId: tf.DataId): boolean };

function runWasmKernel(name: string, backend: Backend, inputs: tf.NamedTensorInfoMap, attrs: object): tf.TensorInfo {
  const kernel = tf.getKernel(name, 'wasm');
  if (kernel === undefined) throw new Error(`wasm-conv: the wasm backend has no '${name}' kernel`);
  return kernel.kernelFunc({ inputs, backend, attrs: attrs as tf.NamedAttrMap }) as tf.TensorInfo;
}

function conv2dBackpropFilter({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    tf.backend_util.convertConv2DDataFormat(dataFormat),
  );
  if (info.strideHeight !== 1 || info.strideWidth !== 1 || info.dataFormat !== 'channelsLast') {
    throw new Error('wasm-conv: Conv2DBackpropFilter is implemented for stride 1 and channels-last data only');
  }
  const wasm = backend as Backend;
  const { top, bottom, left, right } = info.padInfo;
  // The wasm Conv2D crashed on explicit padding (tfjs 4.22), so the padding is made here.
  const padded = runWasmKernel('PadV2', wasm, { x }, { paddings: [[0, 0], [top, bottom], [left, right], [0, 0]], constantValue: 0 });
  const images = runWasmKernel('Transpose', wasm, { x: padded }, { perm: [3, 1, 2, 0] }); // [C, H, W, N]
  const filter = runWasmKernel('Transpose', wasm, { x: dy }, { perm: [1, 2, 0, 3] }); // [Ho, Wo, N, O]
  const correlation = runWasmKernel('Conv2D', wasm, { x: images, filter }, { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [1, 1] }); // [C, kh, kw, O]
  const dw = runWasmKernel('Transpose', wasm, { x: correlation }, { perm: [1, 2, 0, 3] });
  [padded, images, filter, correlation].forEach((t) => wasm.disposeData(t.dataId));
  return dw;
}

if (tf.getKernel('Conv2DBackpropFilter', 'wasm') === undefined) {
  tf.registerKernel({ kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: conv2dBackpropFilter });
}
