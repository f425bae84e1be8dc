#!/usr/bin/env node
/*
 * The Node.js version check: package.json's `engines.node` is the one place the minimum is written, and this reads it.
 * Plain old JavaScript on purpose: it must parse and speak on the old Node it refuses. Run by scripts/setup.sh,
 * `npm start` and the server at start-up; exits 1 with a zh-TW/English message when the version is too old.
 */
'use strict';
var path = require('path');

function parse(v) {
  var m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(String(v).trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : null;
}

/** The minimum in `engines.node`, which must be of the form ">=X.Y.Z" (a range this check cannot read is an error). */
function minimum(range) {
  var m = /^>=\s*(\d+\.\d+\.\d+)$/.exec(String(range).trim());
  if (!m) {
    throw new Error('package.json engines.node must be ">=X.Y.Z", not ' + JSON.stringify(range));
  }
  return m[1];
}

/** Null when `version` meets `range`, otherwise the message to print. */
function nodeVersionProblem(version, range) {
  var min = minimum(range);
  var have = parse(version);
  var need = parse(min);
  var ok = have !== null;
  for (var i = 0; ok && i < 3; i++) {
    if (have[i] !== need[i]) {
      ok = have[i] > need[i];
      break;
    }
  }
  return ok
    ? null
    : 'Secrecy Guard 需要 Node.js ' +
        min +
        ' 以上，目前是 ' +
        version +
        '。請安裝 Node.js 20 LTS（' +
        min +
        ' 以上）或更新版本後再試。\n' +
        'Secrecy Guard needs Node.js ' +
        min +
        ' or later; this is ' +
        version +
        '. Install Node.js 20 LTS (' +
        min +
        ' or later) or newer and try again.';
}

function requiredRange() {
  return require(path.join(__dirname, '..', 'package.json')).engines.node;
}

module.exports = { nodeVersionProblem: nodeVersionProblem, requiredRange: requiredRange };

if (require.main === module) {
  var problem = nodeVersionProblem(process.version, requiredRange());
  if (problem) {
    process.stderr.write(problem + '\n');
    process.exit(1);
  }
}
