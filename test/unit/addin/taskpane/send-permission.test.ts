/**
 * The pane does not send the mail itself. `sendAsync` (Mailbox 1.15) needs the read/write *mailbox* permission
 * (@types/office-js `MessageCompose.sendAsync`: "Minimum permission level: read/write mailbox"), which would let the
 * add-in read and write every item in the user's mailbox; the manifests ask for read/write *item* only, so the pane
 * tells the user to press Outlook's own Send again, and that Send runs the send check once more.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';

import ts from 'typescript';

import { buildManifests } from '../../../support/manifest-build';
import { descendants, parseStrictXml } from '../../../support/strict-xml';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
/** Office's names for the read/write mailbox level (understanding-outlook-add-in-permissions). */
const MAILBOX_WIDE = ['ReadWriteMailbox', 'Mailbox.ReadWrite.User'];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const p = path.join(dir, entry);
    return statSync(p).isDirectory() ? sources(p) : /\.tsx?$/.test(entry) ? [p] : [];
  });
}

/** Every identifier and string in the code (comments are not code), where `sendAsync` is named. */
function namesSendAsync(file: string): boolean {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  let found = false;
  const visit = (node: ts.Node): void => {
    if (
      (ts.isIdentifier(node) || ts.isStringLiteralLike(node) || ts.isPrivateIdentifier(node)) &&
      /sendAsync/.test(node.text)
    ) {
      found = true;
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('the pane sends nothing itself', () => {
  it('the manifests ask for read/write item access, never the mailbox-wide read/write', () => {
    const { manifest, xml } = buildManifests();
    const rsc = (manifest.authorization?.permissions?.resourceSpecific ?? []).map((p) => p.name);
    expect(rsc).toContain('MailboxItem.ReadWrite.User');
    expect(rsc.filter((name) => MAILBOX_WIDE.includes(name))).toEqual([]);
    const permissions = [...descendants(parseStrictXml(xml))]
      .filter((n) => n.name === 'Permissions')
      .map((n) => n.text);
    expect(permissions).toEqual(['ReadWriteItem']);
  });

  it('no code of the pane or the Office adapter calls sendAsync', () => {
    const files = [...sources(path.join(ROOT, 'addin', 'taskpane')), ...sources(path.join(ROOT, 'addin', 'office'))];
    expect(files.length).toBeGreaterThan(10);
    expect(files.filter(namesSendAsync).map((f) => path.relative(ROOT, f))).toEqual([]);
  });
});
