// Checks that the page's JavaScript parses on the oldest WebView we support (README, "Old
// controllers"), with acorn (npm, installed into .tools/ by `cargo xtask`), which refuses
// syntax newer than the `ecmaVersion` it is given. Run by `cargo xtask test`
// (xtask/src/compat.rs), which passes the sources on stdin as JSON:
//
//   [{ "name": "…", "source": "…", "level": 2017, "module": true, "dynamicImport": false }]
//
// `dynamicImport`: `import(…)` is allowed although it is ES2020 syntax (Chrome 63 has it, and
// the loader needs it); `import.meta` (Chrome 64) stays refused.
// Prints one line per file; exits 1 if any fails.
"use strict";
const acorn = require("acorn");

// acorn only parses `import(` from ecmaVersion 2020 on: below that, this plugin parses that one
// form (and nothing else) the way acorn does at 2020.
function dynamicImport(Parser) {
  return class extends Parser {
    importCall() {
      return this.type === acorn.tokTypes._import && /^\s*\(/.test(this.input.slice(this.end));
    }
    parseStatement(context, topLevel, exports) {
      if (this.importCall()) {
        const node = this.startNode();
        return this.parseExpressionStatement(node, this.parseExpression());
      }
      return super.parseStatement(context, topLevel, exports);
    }
    parseExprAtom(refDestructuringErrors, forInit, forNew) {
      if (this.importCall() && !forNew) {
        const node = this.startNode();
        this.next();
        return this.parseDynamicImport(node);
      }
      return super.parseExprAtom(refDestructuringErrors, forInit, forNew);
    }
  };
}

const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
let failed = 0;
for (const file of input) {
  const Parser = file.dynamicImport ? acorn.Parser.extend(dynamicImport) : acorn.Parser;
  const level = `ES${file.level === 5 ? 5 : file.level}${file.module ? " module" : ""}`;
  try {
    Parser.parse(file.source, {
      ecmaVersion: file.level,
      sourceType: file.module ? "module" : "script",
      locations: true,
    });
    console.log(`ok     ${level.padEnd(12)} ${file.name}`);
  } catch (e) {
    failed += 1;
    const line = e.loc ? file.source.split("\n")[e.loc.line - 1] || "" : "";
    const at = e.loc ? Math.max(0, e.loc.column - 40) : 0;
    console.log(`FAILED ${level.padEnd(12)} ${file.name}: ${e.message}`);
    if (e.loc) console.log(`         near: ${line.slice(at, at + 100)}`);
  }
}
process.exit(failed ? 1 : 0);
