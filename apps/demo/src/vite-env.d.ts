/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** socket.io signaling server for the demo (set by `npm start`). */
  readonly VITE_SIGNALING_URL?: string;
}
