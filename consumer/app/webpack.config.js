// Nothing meshraft-specific: webpack 5 finds the engine Worker (new Worker(new URL('./worker.js',
// import.meta.url))) in meshraft's dist on its own and emits it as a chunk.
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

const outDir = path.resolve('dist-webpack');

export default {
  mode: 'production',
  entry: './src/main.js',
  output: { path: outDir, clean: true },
  devtool: false,
  plugins: [
    {
      // The page that loads main.js (an html plugin would do the same).
      apply: (compiler) =>
        compiler.hooks.afterEmit.tap('copy-page', () => {
          mkdirSync(outDir, { recursive: true });
          copyFileSync('pages/webpack.html', path.join(outDir, 'index.html'));
        }),
    },
  ],
};
