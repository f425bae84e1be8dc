/**
 * What the on-send build substitutes (webpack ProvidePlugin) for the free globals `TextDecoder`, `TextEncoder` and
 * `Blob` (and `FileReader`) in every module of the script, its dependencies included: the host's own where it has a working one (web,
 * new Outlook and Mac run the script in a browser), the pure-JS ones in classic Outlook's JS-only runtime. The names
 * are read as properties of the global object here, never as free variables, which the build would rewrite to this
 * very module.
 */
import big5Index from 'virtual:big5-index';
import gb18030Index from 'virtual:gb18030-index';

import { PureBlob, PureFileReader } from './blob';
import { PureTextDecoder, PureTextEncoder, setBig5Index, setGb18030Index } from './text-codec';

setBig5Index(big5Index);
setGb18030Index(gb18030Index);

const host = (typeof self !== 'undefined' ? self : {}) as Record<string, unknown>;

function usable<T>(name: string, probe: (ctor: new (...args: never[]) => unknown) => void): T | null {
  const ctor = host[name];
  if (typeof ctor !== 'function') {
    return null;
  }
  try {
    probe(ctor as new (...args: never[]) => unknown);
    return ctor as T;
  } catch {
    return null;
  }
}

const NativeDecoder = usable<typeof PureTextDecoder>('TextDecoder', (C) => {
  new (C as unknown as typeof PureTextDecoder)('big5').decode(new Uint8Array([0xa4, 0x40]));
});
const NativeEncoder = usable<typeof PureTextEncoder>('TextEncoder', (C) => {
  new (C as unknown as typeof PureTextEncoder)().encode('a');
});
const NativeBlob = usable<typeof PureBlob>('Blob', (C) => {
  new (C as unknown as typeof PureBlob)(['a']);
});

const SelectedTextDecoder = NativeDecoder ?? PureTextDecoder;
const SelectedTextEncoder = NativeEncoder ?? PureTextEncoder;
const SelectedBlob = NativeBlob ?? PureBlob;

export {
  SelectedBlob as Blob,
  PureFileReader as FileReader,
  SelectedTextDecoder as TextDecoder,
  SelectedTextEncoder as TextEncoder,
};
