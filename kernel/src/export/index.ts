/**
 * Offline HTML export of executed notebooks: one self-contained page per
 * notebook (renderReport) and the course index (renderIndex).
 */
export { renderReport, type ReportOptions } from "./page.js";
export {
  renderIndex,
  type IndexEntry,
  type IndexOptions,
} from "./indexPage.js";
export { plainTitle, titleHtml } from "./markdown.js";
export type { Notebook, NotebookCell, NotebookOutput } from "./types.js";
