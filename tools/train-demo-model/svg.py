"""A hand-written SVG line chart of the training and held-out loss."""


def loss_chart(path, train, heldout, title):
    """train and heldout are lists of (step, loss)."""
    w, h, left, bottom, top, right = 640, 360, 50, 40, 30, 20
    steps = max(s for s, _ in train + heldout)
    hi = max(l for _, l in train + heldout)
    lo = min(l for _, l in train + heldout)
    hi, lo = hi + 0.1, max(0.0, lo - 0.3)

    def xy(step, loss):
        x = left + (w - left - right) * step / steps
        y = top + (h - top - bottom) * (hi - loss) / (hi - lo)
        return f"{x:.1f},{y:.1f}"

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="12">',
             f'<rect width="{w}" height="{h}" fill="white"/>',
             f'<text x="{w / 2}" y="18" text-anchor="middle">{title}</text>',
             f'<line x1="{left}" y1="{h - bottom}" x2="{w - right}" y2="{h - bottom}" stroke="black"/>',
             f'<line x1="{left}" y1="{top}" x2="{left}" y2="{h - bottom}" stroke="black"/>']
    for k in range(5):
        loss = lo + (hi - lo) * k / 4
        x, y = xy(0, loss).split(",")
        parts.append(f'<text x="{left - 6}" y="{float(y) + 4:.1f}" text-anchor="end">{loss:.1f}</text>')
        step = round(steps * k / 4)
        x, _ = xy(step, lo).split(",")
        parts.append(f'<text x="{x}" y="{h - bottom + 16}" text-anchor="middle">{step}</text>')
    parts.append(f'<text x="{w / 2}" y="{h - 6}" text-anchor="middle">step</text>')
    parts.append(f'<polyline fill="none" stroke="#1f77b4" stroke-width="1.5" points="{" ".join(xy(s, l) for s, l in train)}"/>')
    parts.append(f'<polyline fill="none" stroke="#d62728" stroke-width="2" points="{" ".join(xy(s, l) for s, l in heldout)}"/>')
    parts.append(f'<text x="{w - right - 150}" y="{top + 16}" fill="#1f77b4">training loss (nats/token)</text>')
    parts.append(f'<text x="{w - right - 150}" y="{top + 32}" fill="#d62728">held-out loss</text>')
    parts.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(parts) + "\n")
