// A printable description of the configured source (what `pokerface capture` shows).
import { ffmpegArgs, gstArgs, gstPipeline, type CameraConfig } from './pipelines.js';

export function describeSource(cam: CameraConfig): { backend: string; input: string; command: string[] | null } {
  switch (cam.backend) {
    case 'gstreamer': {
      const p = gstPipeline(cam);
      return { backend: 'gstreamer', input: p, command: [cam.gstreamer.gstLaunch, ...gstArgs(p)] };
    }
    case 'ffmpeg': {
      const f = cam.ffmpeg;
      const args = ffmpegArgs(cam, { input: f.input, inputFormat: f.inputFormat, inputArgs: f.inputArgs, loop: f.loop, realtime: f.realtime });
      return { backend: 'ffmpeg', input: f.input, command: [f.ffmpegPath, ...args] };
    }
    case 'opencv':
      return { backend: 'opencv', input: cam.opencv.pipeline || `device ${cam.opencv.device}`, command: null };
    case 'file':
      return { backend: 'file', input: cam.file.path, command: null };
  }
}
