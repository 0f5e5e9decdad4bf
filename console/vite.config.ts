import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Served by the gateway from its own origin (no CORS); the built files go to dist/.
export default defineConfig({
  plugins: [react()],
  base: '/',
  build: { outDir: 'dist', sourcemap: false, chunkSizeWarningLimit: 400 },
});
