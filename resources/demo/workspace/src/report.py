"""Plain-text stock reports."""

from inventory import Inventory


def stock_report(inventory, threshold=5):
    lines = ["Stock report", "============"]
    for sku in sorted(inventory.items):
        lines.append(f"{sku}: {inventory.count(sku)}")
    low = inventory.low_stock(threshold)
    if low:
        lines.append("")
        lines.append("Low stock: " + ", ".join(low))
    return "\n".join(lines)
