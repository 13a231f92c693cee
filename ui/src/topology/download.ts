// Exported pictures as bytes: the app writes them where the person chooses in its native Save
// dialog (the WebView's own download handling wrote them into the working folder, unasked).
// The PNG is the exported SVG drawn on a canvas at 2x, so both pictures come from one rendering.

/** The bytes of a picture, to hand to the app's `export_save` (which asks where to save it). */
export async function blobBytes(blob: Blob): Promise<Uint8Array> {
  return new Uint8Array(await blob.arrayBuffer());
}

export function svgBytes(svg: string): Uint8Array {
  return new TextEncoder().encode(svg);
}

export function svgToPng(svg: string, width: number, height: number, scale = 2): Promise<Blob> {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => {
      const canvas = document.createElement("canvas");
      canvas.width = Math.ceil(width * scale);
      canvas.height = Math.ceil(height * scale);
      const ctx = canvas.getContext("2d");
      if (!ctx) {
        reject(new Error("no 2D canvas"));
        return;
      }
      ctx.scale(scale, scale);
      ctx.drawImage(img, 0, 0, width, height);
      canvas.toBlob((b) => (b ? resolve(b) : reject(new Error("the canvas gave no PNG"))), "image/png");
    };
    img.onerror = () => reject(new Error("the SVG could not be drawn"));
    img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
  });
}
