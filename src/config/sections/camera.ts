import { Type as T } from '@sinclair/typebox';

export const CameraSchema = T.Object(
  {
    backend: T.Union([T.Literal('gstreamer'), T.Literal('ffmpeg'), T.Literal('opencv'), T.Literal('file')], {
      default: 'gstreamer',
      description: 'frame source backend',
    }),
    width: T.Integer({ minimum: 16, maximum: 7680, default: 640, description: 'frame width delivered by the source (pixels)' }),
    height: T.Integer({ minimum: 16, maximum: 4320, default: 480, description: 'frame height delivered by the source (pixels)' }),
    fps: T.Number({ exclusiveMinimum: 0, maximum: 240, default: 30, description: 'requested frame rate' }),
    mirror: T.Boolean({ default: false, description: 'flip frames left-right (a selfie view)' }),
    rotate: T.Union([T.Literal(0), T.Literal(90), T.Literal(180), T.Literal(270)], { default: 0, description: 'clockwise rotation in degrees' }),
    scaleWidth: T.Integer({ minimum: 0, maximum: 7680, default: 0, description: 'downscale frames to this width before inference (0: keep)' }),
    stallMs: T.Integer({ minimum: 100, maximum: 600_000, default: 3000, description: 'no frame for this long restarts the source' }),
    backoffInitialMs: T.Integer({ minimum: 10, maximum: 60_000, default: 250, description: 'first restart delay' }),
    backoffMaxMs: T.Integer({ minimum: 10, maximum: 600_000, default: 10_000, description: 'longest restart delay' }),
    stderrLinesPerMinute: T.Integer({ minimum: 1, maximum: 10_000, default: 30, description: 'rate limit for logging the capture child stderr' }),
    gstreamer: T.Object(
      {
        preset: T.Union([T.Literal('jetson-csi'), T.Literal('rpi-libcamera'), T.Literal('usb'), T.Literal('test'), T.Literal('custom')], {
          default: 'jetson-csi',
        }),
        sensorId: T.Integer({ minimum: 0, maximum: 16, default: 0, description: 'CSI sensor id (jetson-csi)' }),
        flipMethod: T.Integer({ minimum: 0, maximum: 7, default: 0, description: 'nvvidconv flip-method (jetson-csi)' }),
        device: T.String({ default: '/dev/video0', description: 'V4L2 device (usb)' }),
        pipeline: T.String({ default: '', description: 'free-form source pipeline up to the caps (custom); the raw BGR sink is appended' }),
        sync: T.Boolean({ default: false, description: 'fdsink sync=true: pace a file pipeline (custom filesrc) at its frame rate' }),
        gstLaunch: T.String({ default: 'gst-launch-1.0', description: 'gst-launch-1.0 executable' }),
      },
      { additionalProperties: false, default: {} },
    ),
    ffmpeg: T.Object(
      {
        input: T.String({ default: '/dev/video0', description: 'file, URL (rtsp://) or device passed to -i' }),
        inputFormat: T.String({ default: '', description: 'ffmpeg -f for the input (e.g. v4l2); empty lets ffmpeg guess' }),
        inputArgs: T.Array(T.String(), { default: [], description: 'extra arguments before -i' }),
        loop: T.Boolean({ default: false, description: 'loop a file input (-stream_loop -1)' }),
        realtime: T.Boolean({ default: true, description: 'read a file input at its native rate (-re)' }),
        ffmpegPath: T.String({ default: 'ffmpeg' }),
      },
      { additionalProperties: false, default: {} },
    ),
    opencv: T.Object(
      {
        device: T.Integer({ minimum: 0, maximum: 64, default: 0, description: 'device index when pipeline is empty' }),
        pipeline: T.String({ default: '', description: 'GStreamer pipeline ending in appsink, opened with CAP_GSTREAMER' }),
      },
      { additionalProperties: false, default: {} },
    ),
    file: T.Object(
      {
        path: T.String({ default: '', description: 'a video file or a folder of images' }),
        loop: T.Boolean({ default: true }),
        pace: T.Union([T.Literal('realtime'), T.Literal('fast')], { default: 'realtime', description: 'paced at the frame rate, or as fast as possible' }),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false, default: {} },
);
