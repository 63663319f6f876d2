// Guest of the JavaScript component test: a wasi:cli command written in JavaScript, built into a
// component by `jco componentize` (StarlingMonkey). Prints its arguments and the GREETING variable.
import { getArguments, getEnvironment } from "wasi:cli/environment@0.2.12";

export const run = {
  run() {
    const greeting = getEnvironment().find(([name]) => name === "GREETING")?.[1] ?? "hello";
    console.log(`${greeting} from JavaScript: ${getArguments().slice(1).join(" ")}`);
  },
};
