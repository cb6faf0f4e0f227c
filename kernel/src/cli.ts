import { version } from "memnets";
console.log(version);
