import type { ISearchOptions, SearchAddon } from '@xterm/addon-search';

export interface SearchBarElements {
  bar: HTMLElement;
  input: HTMLInputElement;
  previous: HTMLButtonElement;
  next: HTMLButtonElement;
  count: HTMLElement;
  close: HTMLButtonElement;
}

export interface SearchBar {
  open(): void;
  close(): void;
}

const SEARCH_OPTIONS: ISearchOptions = {
  decorations: {
    matchBackground: '#5a4a00',
    matchOverviewRuler: '#d29922',
    activeMatchBackground: '#9e6a03',
    activeMatchColorOverviewRuler: '#f0b72f',
  },
};

/** The find box over the terminal (Ctrl+Shift+F): Enter finds the next match, Shift+Enter the previous. */
export function createSearchBar(
  elements: SearchBarElements,
  search: SearchAddon,
  refocus: () => void,
): SearchBar {
  const { bar, input, previous, next, count, close } = elements;

  search.onDidChangeResults(({ resultIndex, resultCount }) => {
    if (input.value === '') count.textContent = '';
    else if (resultCount === 0) count.textContent = 'no matches';
    else if (resultIndex < 0) count.textContent = `${resultCount}+ matches`;
    else count.textContent = `${resultIndex + 1} of ${resultCount}`;
  });

  const find = (direction: 'next' | 'previous', incremental = false) => {
    if (input.value === '') {
      search.clearDecorations();
      count.textContent = '';
      return;
    }
    if (direction === 'next') search.findNext(input.value, { ...SEARCH_OPTIONS, incremental });
    else search.findPrevious(input.value, SEARCH_OPTIONS);
  };

  const hide = (giveFocusBack: boolean) => {
    if (bar.hidden) return;
    bar.hidden = true;
    search.clearDecorations();
    if (giveFocusBack) refocus();
  };

  input.addEventListener('input', () => find('next', true));
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      find(event.shiftKey ? 'previous' : 'next');
    } else if (event.key === 'Escape') {
      event.preventDefault();
      hide(true);
    }
  });
  input.addEventListener('blur', () => search.clearActiveDecoration());
  previous.addEventListener('click', () => find('previous'));
  next.addEventListener('click', () => find('next'));
  close.addEventListener('click', () => hide(true));

  return {
    open() {
      bar.hidden = false;
      input.focus();
      input.select();
      if (input.value !== '') find('next', true);
    },
    close: () => hide(false),
  };
}
