import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { ffmpegArgs, gstArgs, gstFraction, gstPipeline, isFileInput, type CameraConfig } from '../../../src/capture/pipelines.js';
import { classifyGst } from '../../../src/capture/gstreamer.js';
import { classifyFfmpeg } from '../../../src/capture/ffmpeg.js';
import { classifyOpencv } from '../../../src/capture/opencv.js';
import type { ChildExit } from '../../../src/capture/child.js';

const cam = (c: Record<string, unknown>): CameraConfig => parseConfig(JSON.stringify({ camera: c }), 'test').camera;
const exit = (over: Partial<ChildExit>): ChildExit => ({ code: 1, signal: null, spawnError: null, stderrTail: [], frames: 0, partialBytes: 0, ...over });

describe('GStreamer pipelines', () => {
  it('Jetson CSI: nvarguscamerasrc → NVMM caps → nvvidconv flip → BGRx → BGR → fdsink', () => {
    const p = gstPipeline(cam({ width: 1280, height: 720, fps: 30, gstreamer: { preset: 'jetson-csi', sensorId: 1, flipMethod: 2 } }));
    expect(p).toMatch(/^nvarguscamerasrc sensor-id=1 ! video\/x-raw\(memory:NVMM\),width=1280,height=720,framerate=30\/1 ! nvvidconv flip-method=2 ! video\/x-raw,format=BGRx/);
    expect(p).toMatch(/videoconvert ! video\/x-raw,format=BGR,width=1280,height=720 ! queue max-size-buffers=1 leaky=downstream ! fdsink fd=1 sync=false$/);
  });

  it('Raspberry Pi, USB, test and custom presets', () => {
    expect(gstPipeline(cam({ gstreamer: { preset: 'rpi-libcamera' } }))).toMatch(/^libcamerasrc ! video\/x-raw,width=640,height=480,framerate=30\/1 !/);
    expect(gstPipeline(cam({ gstreamer: { preset: 'usb', device: '/dev/video2' } }))).toMatch(/^v4l2src device=\/dev\/video2 !/);
    expect(gstPipeline(cam({ gstreamer: { preset: 'test' } }))).toMatch(/^videotestsrc is-live=true/);
    expect(gstPipeline(cam({ gstreamer: { preset: 'custom', pipeline: 'filesrc location=a.mp4 ! decodebin', sync: true } }))).toBe(
      'filesrc location=a.mp4 ! decodebin ! videoconvert ! videoscale ! video/x-raw,format=BGR,width=640,height=480 ! fdsink fd=1 sync=true',
    );
  });

  it('frame rates as fractions', () => {
    expect(gstFraction(30)).toBe('30/1');
    expect(gstFraction(29.97)).toBe('2997/100');
    expect(gstFraction(7.5)).toBe('15/2');
  });

  it('splits the pipeline into words for gst-launch, keeping quoted values whole', () => {
    expect(gstArgs('filesrc location="/tmp/my clip.mp4" ! decodebin ! fdsink fd=1')).toEqual([
      '-q',
      'filesrc',
      'location=/tmp/my clip.mp4',
      '!',
      'decodebin',
      '!',
      'fdsink',
      'fd=1',
    ]);
  });
});

describe('ffmpeg arguments', () => {
  const size = { width: 640, height: 480, fps: 30 };
  it('a file: -re and -stream_loop when asked, scaled to the configured size, raw bgr24 on stdout', () => {
    const a = ffmpegArgs(size, { input: 'clip.mp4', inputFormat: '', inputArgs: [], loop: true, realtime: true });
    expect(a).toContain('-re');
    expect(a.join(' ')).toContain('-stream_loop -1 -i clip.mp4');
    expect(a.join(' ')).toMatch(/-vf scale=640:480:flags=bilinear -pix_fmt bgr24 -f rawvideo pipe:1$/);
  });
  it('a camera or stream: no -re, no loop; V4L2 gets size and rate', () => {
    const v = ffmpegArgs(size, { input: '/dev/video0', inputFormat: 'v4l2', inputArgs: [], loop: true, realtime: true });
    expect(v).not.toContain('-re');
    expect(v).not.toContain('-stream_loop');
    expect(v.join(' ')).toContain('-f v4l2 -framerate 30 -video_size 640x480 -i /dev/video0');
    const r = ffmpegArgs(size, { input: 'rtsp://cam/stream', inputFormat: '', inputArgs: ['-rtsp_transport', 'tcp'], loop: false, realtime: true });
    expect(r).not.toContain('-re');
    expect(r.join(' ')).toContain('-rtsp_transport tcp -i rtsp://cam/stream');
    expect(isFileInput('rtsp://x', '')).toBe(false);
    expect(isFileInput('media/demo.mp4', '')).toBe(true);
  });
});

describe('error classification', () => {
  it('gst-launch stderr → error codes', () => {
    expect(classifyGst(exit({ stderrTail: ['WARNING: erroneous pipeline: no element "nosuchsrc"'] }), 'gst-launch-1.0').code).toBe('POKERFACE_ERR_CAMERA_PIPELINE');
    expect(classifyGst(exit({ stderrTail: ["ERROR: from element /GstPipeline:pipeline0/GstV4l2Src:v4l2src0: Cannot identify device '/dev/video9'."] }), 'g').code).toBe(
      'POKERFACE_ERR_CAMERA_NOT_FOUND',
    );
    expect(classifyGst(exit({ stderrTail: ['ERROR: from element /GstPipeline:pipeline0/GstTypeFindElement:typefind: Could not determine type of stream.'] }), 'g').code).toBe(
      'POKERFACE_ERR_CAMERA_NOT_VIDEO',
    );
    expect(classifyGst(exit({ code: 0, frames: 10, partialBytes: 100 }), 'g').code).toBe('POKERFACE_ERR_CAMERA_FRAME_SIZE');
    expect(classifyGst(exit({ code: null, signal: 'SIGKILL', frames: 10 }), 'g').code).toBe('POKERFACE_ERR_CAMERA_EXITED');
    const enoent = Object.assign(new Error('spawn x ENOENT'), { code: 'ENOENT' });
    expect(classifyGst(exit({ spawnError: enoent }), 'x').code).toBe('POKERFACE_ERR_CAPTURE_BACKEND');
  });

  it('ffmpeg stderr → error codes', () => {
    expect(classifyFfmpeg(exit({ stderrTail: ['missing.mp4: No such file or directory'] }), 'ffmpeg', 'missing.mp4').code).toBe('POKERFACE_ERR_CAMERA_NOT_FOUND');
    expect(classifyFfmpeg(exit({ stderrTail: ['notes.mp4: Invalid data found when processing input'] }), 'ffmpeg', 'notes.mp4').code).toBe('POKERFACE_ERR_CAMERA_NOT_VIDEO');
    expect(classifyFfmpeg(exit({ code: 0 }), 'ffmpeg', 'a.mp3').code).toBe('POKERFACE_ERR_CAMERA_NOT_VIDEO');
    expect(classifyFfmpeg(exit({ code: 0, frames: 5, partialBytes: 3 }), 'ffmpeg', 'a').code).toBe('POKERFACE_ERR_CAMERA_FRAME_SIZE');
  });

  it('opencv child: the code it printed', () => {
    expect(classifyOpencv(exit({ code: 4, stderrTail: ['POKERFACE_ERR_CAMERA_FRAME_SIZE got 160x120 with 3 channels, expected 320x240 BGR'] })).code).toBe(
      'POKERFACE_ERR_CAMERA_FRAME_SIZE',
    );
    expect(classifyOpencv(exit({ code: null, signal: 'SIGKILL' })).code).toBe('POKERFACE_ERR_CAMERA_EXITED');
  });
});

describe('Jetson hint', () => {
  it('after repeated CSI failures the gstreamer driver says how to restart nvargus-daemon', async () => {
    const { gstreamerDriver, NVARGUS_HINT } = await import('../../../src/capture/gstreamer.js');
    const csi = gstreamerDriver(cam({ gstreamer: { preset: 'jetson-csi' } }));
    expect(csi.failureHint?.(1)).toBeNull();
    expect(csi.failureHint?.(3)).toBe(NVARGUS_HINT);
    expect(NVARGUS_HINT).toMatch(/systemctl restart nvargus-daemon/);
    expect(gstreamerDriver(cam({ gstreamer: { preset: 'usb' } })).failureHint?.(3)).toBeNull();
  });
});
