export const version = "0.1.0";
export * from "./random";
export * from "./gemm";
export * from "./hopfield";
export * from "./modern-hopfield";
export * from "./datasets";
export * from "./mnist";
export * from "./plot";
export * from "./image-grid";
export * from "./figure-output";
export * from "./progress";
export {
  displayBundle,
  updateBundle,
  setDisplaySink,
  type DisplayMessage,
  type DisplaySink,
  type MimeBundle,
} from "./display";
export {
  Matrix,
  dtypeOf,
  isFloatArray,
  type DType,
  type FloatArray,
} from "./tensor";
export * from "./ops";
export * from "./losses";
export * from "./optim";
export * from "./gradcheck";
export * from "./train";
export * from "./rbm-energy";
export * from "./rbm-exact";
export * from "./rbm-ais";
export * from "./rbm";
export * from "./rbm-train";
export * from "./rbm-io";
export * from "./rnn";
export * from "./rnn-pytorch";
export * from "./rnn-train";
export * from "./rnn-sample";
export * from "./rnn-io";
export * from "./text";
export {
  toBatchMajor,
  type DenseSequences,
  type RNNBackwardOptions,
  type RNNBackwardResult,
  type RNNCache,
  type SequenceInput,
  type TokenSequences,
} from "./rnn-input";
export * from "./recurrent";
export * from "./lstm";
export * from "./gru";
export * from "./recurrent-pytorch";
export * from "./recurrent-io";
export {
  contrastiveLoss,
  squaredEnergy,
  squaredHinge,
  type ContrastiveOptions,
  type ContrastiveResult,
  type EnergyLoss,
} from "./contrastive";
export * from "./encoder";
export * from "./encoder-io";
export * from "./siamese";
export * from "./pairs";
export * from "./verification";
export * from "./homework";
