// Jest setup provided by Grafana scaffolding
import './.config/jest-setup';

// jsdom has no canvas: @grafana/ui's Combobox measures its option labels with one.
HTMLCanvasElement.prototype.getContext = function getContext() {
  return { measureText: (text) => ({ width: String(text).length * 7 }), font: '' };
};
