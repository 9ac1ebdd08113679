// simple-peer's prebuilt browser bundle (browserify standalone, no Node polyfills needed in the page).
declare module 'simple-peer/simplepeer.min.js' {
  const SimplePeer: unknown;
  export default SimplePeer;
}
