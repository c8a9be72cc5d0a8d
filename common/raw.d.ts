// Text files imported whole (Vite's ?raw), such as the device probe script.
declare module '*?raw' {
  const text: string;
  export default text;
}
