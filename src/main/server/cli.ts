// Headless server entry (`npm run serve`, `parley-server`). Filled in by the server work (issue 2).
console.log('parley server: not built yet')
