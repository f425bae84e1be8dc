/**
 * The pane's lists (findings, attachments, receipts): unbulleted, stacked, each item a column of lines that wrap.
 */
import { makeStyles, tokens } from '@fluentui/react-components';

export const useListStyles = makeStyles({
  list: {
    listStyleType: 'none',
    margin: 0,
    padding: 0,
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalS,
  },
  item: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXS },
  line: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS, flexWrap: 'wrap' },
});
