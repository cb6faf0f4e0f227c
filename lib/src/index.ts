export const version = "0.1.0";
export * from "./random";
export * from "./hopfield";
export * from "./modern-hopfield";
export * from "./datasets";
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
