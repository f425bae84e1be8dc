/**
 * What every view of the pane shares: the catalog, the host, the API client and the scanner, set up once in
 * `index.tsx`.
 */
import * as React from 'react';

import type { ApiClient } from '../../src/shared/api';
import type { Locale } from '../../src/shared/i18n';
import type { PaneHost } from './host';
import type { Messages } from './messages';
import type { LoadedPolicy } from './services/policy';
import type { ItemScanner } from './services/scanner';

export type PaneServices = {
  readonly locale: Locale;
  readonly m: Messages;
  readonly host: PaneHost;
  readonly api: ApiClient;
  readonly scanner: ItemScanner;
  readonly loadPolicy: () => Promise<LoadedPolicy>;
  /** Names the add-in in audit events. */
  readonly client: string;
};

export const PaneContext = React.createContext<PaneServices | null>(null);

export function usePane(): PaneServices {
  const services = React.useContext(PaneContext);
  if (!services) {
    throw new Error('[usePane] used outside PaneContext');
  }
  return services;
}
