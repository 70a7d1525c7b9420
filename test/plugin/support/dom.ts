/**
 * What @grafana/ui's Combobox needs from the DOM beyond jsdom: a 2D canvas context to measure option text (the
 * create-plugin setup stubs getContext with a function returning nothing) the ResizeObserver and IntersectionObserver its option list uses, and element sizes. Widths are
 * approximate; the tests look at content and behaviour, the Chromium tests at the rendering.
 */
const context2d = {
  font: '',
  measureText: (text: string) => ({ width: text.length * 7 }),
};

HTMLCanvasElement.prototype.getContext = function getContext() {
  return context2d;
} as unknown as typeof HTMLCanvasElement.prototype.getContext;

if (!('ResizeObserver' in globalThis)) {
  class ResizeObserverStub {
    observe(): void {}
    unobserve(): void {}
    disconnect(): void {}
  }
  Object.assign(globalThis, { ResizeObserver: ResizeObserverStub });
}

if (!('IntersectionObserver' in globalThis)) {
  class IntersectionObserverStub {
    readonly root = null;
    readonly rootMargin = '0px';
    readonly thresholds = [0];
    observe(): void {}
    unobserve(): void {}
    disconnect(): void {}
    takeRecords(): [] {
      return [];
    }
  }
  Object.assign(globalThis, { IntersectionObserver: IntersectionObserverStub });
}

// The option list is virtualised: it renders only the rows that fit the box it measures, and jsdom lays nothing out.
Object.defineProperties(HTMLElement.prototype, {
  clientWidth: { configurable: true, get: () => 400 },
  clientHeight: { configurable: true, get: () => 600 },
});

export {};
