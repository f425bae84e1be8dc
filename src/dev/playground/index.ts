/** The playground page: two tabs, the Outlook compose window and the Teams meeting, each started when first shown. */
import { startOutlook } from './outlook';
import { startTeams } from './teams';

function startTabs(starters: Record<string, () => void>): void {
  const tabs = [...document.querySelectorAll<HTMLButtonElement>('[role="tab"]')];
  const started = new Set<string>();
  const select = (tab: HTMLButtonElement, focus: boolean): void => {
    for (const t of tabs) {
      const on = t === tab;
      t.setAttribute('aria-selected', String(on));
      t.tabIndex = on ? 0 : -1;
      const panel = document.getElementById(t.getAttribute('aria-controls') ?? '');
      if (panel) {
        panel.hidden = !on;
      }
    }
    if (focus) {
      tab.focus();
    }
    if (!started.has(tab.id)) {
      started.add(tab.id);
      starters[tab.id]?.();
    }
  };
  tabs.forEach((tab, i) => {
    tab.addEventListener('click', () => select(tab, false));
    tab.addEventListener('keydown', (e) => {
      const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[e.key];
      if (next !== undefined) {
        e.preventDefault();
        select(tabs[(next + tabs.length) % tabs.length] as HTMLButtonElement, true);
      }
    });
  });
  const first = tabs.find((t) => t.getAttribute('aria-selected') === 'true') ?? tabs[0];
  if (first) {
    select(first, false);
  }
}

startTabs({ 'tab-outlook': startOutlook, 'tab-teams': startTeams });
