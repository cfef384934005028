// Faces in the face-api demo photos, as a person sees them: [photo, x, y] with (x, y) a
// point inside the face in full-size photo pixels. Left out as ambiguous: sample2's
// right face (eyes and lips closed, a faint smile at most), and faces pulling other
// expressions (tongue out, finger in mouth).
export const SMILING: ReadonlyArray<readonly [number, number, number]> = [
  [1, 520, 500], [1, 940, 560], [1, 1570, 340],
  [3, 1190, 380], [3, 1560, 450],
  [4, 1370, 300],
  [5, 1520, 540],
  [6, 770, 500], [6, 1590, 430], [6, 350, 650],
];
export const NOT_SMILING: ReadonlyArray<readonly [number, number, number]> = [
  [2, 970, 350],
  [3, 690, 490],
  [4, 1080, 330],
  [6, 1260, 460],
];

export const demoPhoto = (i: number): string => `node_modules/@vladmandic/face-api/demo/sample${i}.jpg`;
