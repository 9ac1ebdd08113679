// Nothing meshraft-specific: Vite finds the engine Worker (new URL('./worker.js', import.meta.url)
// in meshraft's dist) on its own. base './' only lets the test serve the build from a sub-folder;
// the two inputs are the plain page and the React one.
import { defineConfig } from 'vite';

export default defineConfig({
  base: './',
  build: { outDir: 'dist-vite', rollupOptions: { input: { main: 'index.html', react: 'react.html' } } },
});
