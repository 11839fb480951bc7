#!/usr/bin/env node
// Runs the built headless server (build it first: `npm run build`).
import '../out/main/cli.js'
