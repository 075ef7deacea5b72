// What the workspace's ssh2 patch (patches/ssh2@1.17.0.patch) adds to a channel.
import 'ssh2';

declare module 'ssh2' {
  interface Channel {
    /**
     * Caps the window granted to the server from now on (whole window adjusts never exceed it).
     * A paused channel grants no window at all, so at most what was granted still arrives.
     */
    setIncomingWindow(bytes: number): void;
  }
}
