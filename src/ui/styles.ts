/** Style pieces shared by the task pane and the Teams pages. */
import type { GriffelStyle } from '@fluentui/react-components';

/** Text for screen readers only (live regions, hidden labels): out of sight, still in the accessibility tree. */
export const VISUALLY_HIDDEN: GriffelStyle = {
  position: 'absolute',
  width: '1px',
  height: '1px',
  margin: '-1px',
  padding: 0,
  overflow: 'hidden',
  clip: 'rect(0 0 0 0)',
  whiteSpace: 'nowrap',
  border: 0,
};
