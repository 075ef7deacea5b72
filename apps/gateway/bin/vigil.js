#!/usr/bin/env node
// A committed entry point, so installs can link `vigil` before the gateway is built.
import '../dist/main.js';
